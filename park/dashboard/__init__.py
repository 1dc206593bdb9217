"""The manager's dashboard: today's occupancy, pending approvals, vacancies, the latest snapshot."""
