"""facets-dynamo-sqs: the sqs/default/0.1 flavor (entry point ``sqs_default``)."""
