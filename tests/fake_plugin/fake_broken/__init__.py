"""A plugin whose import fails, as a plugin with a missing dependency would."""

raise ImportError("fake_broken needs a module that is not installed (boom)")
