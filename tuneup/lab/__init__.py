"""tuneup lab: a local server that speaks OpenAI's fine-tuning API; jobs are run by a
detached runner with the real trainer (``tuneup.lab.engine``, when installed) or the
simulated one."""
