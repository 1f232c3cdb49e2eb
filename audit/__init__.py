"""The append-only audit trail of every change the connector makes in Visma, and every decision not to."""
