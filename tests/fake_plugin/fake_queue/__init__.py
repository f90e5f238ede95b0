"""A third-party flavor plugin: ``queue/default/0.1`` (an SQS queue), as an outside distribution would ship it."""
