"""People: registration by invitation, invites, roles, the menu and profile."""
