"""Lineage a stakeholder can read: where each published column comes from, and what was done."""
