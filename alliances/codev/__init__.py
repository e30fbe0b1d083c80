"""Co-development facilitator: rounds, roles, time boxes, shared notes, action plans."""
