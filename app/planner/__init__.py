"""The planner: every booking of the kit a search finds, over hours, days or weeks."""
