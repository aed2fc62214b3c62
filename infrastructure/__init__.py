"""LiveDesk AWS CDK application and its local emulation."""
