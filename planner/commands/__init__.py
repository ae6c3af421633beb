"""`planner` subcommands, one module each. Each exposes `register(subparsers)`."""
