"""The gate: collect findings from the hooks and adapters, decide a verdict, write reports."""
