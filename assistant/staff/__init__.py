"""The store's staff: accounts, roles and sign-in sessions for the agent and admin consoles."""
