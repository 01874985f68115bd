"""Alerting: failures recorded and posted to a webhook, with every secret scrubbed first."""
