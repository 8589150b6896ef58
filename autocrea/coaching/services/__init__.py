"""The partner's work with a guided person, one module per feature (callers import the module they use):

- action_plan: the diagnostic with its skills baseline, skills assessments, the action plan;
- individual_sessions: individual coaching sessions, recorded as held or planned ahead;
- milestones: project milestones and viability tests;
- collective_sessions: series of collective sessions, registrations, the register, changes to a series;
- guided: the checks they share (a partner accompanies the person now, the row lock, the version bump).
"""
