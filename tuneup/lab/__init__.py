"""tuneup lab: a local server that speaks OpenAI's fine-tuning API, with a simulated trainer."""
