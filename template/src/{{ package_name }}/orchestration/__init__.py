"""The pipeline's steps as units an orchestrator schedules, retries and alerts on."""
