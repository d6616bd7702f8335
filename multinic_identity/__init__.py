"""The built-in Identity: users, their project memberships and Identity v3 tokens.

Only the standalone site needs it (``make run``, or the API without a Keystone beside it).
The core (``multinic_api``) keeps Keystone-style user and project ids and no foreign key to
any user model, so that its tables migrate in any deployment; beside a real Keystone this
app is simply not consulted.
"""
