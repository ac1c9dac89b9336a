"""Platform core: tenancy, audit, workflow engine, working days, security. Knows no module.
app/core/platform.py installs it; app/core/modules.py is the manifest modules declare."""
