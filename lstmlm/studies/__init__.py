"""The studies the views show, one module per question, named like the playground's tabs."""
