"""Callbacks (webhooks): an institution's approver, or an office, registers an HTTPS endpoint
and the events it wants; each event is delivered signed, retried with backoff, logged, and an
endpoint that keeps failing is paused and its owner told. See ``events`` for what is sent when.
"""
