"""The programme's shared vocabulary: steps, channels, roles, domain errors and the transition table.

A leaf package: it imports Django and the standard library only, never another autocrea app, so
that every app can import it without creating a cycle.
"""
