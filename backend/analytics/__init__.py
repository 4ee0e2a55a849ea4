"""Google Analytics 4: a space's OAuth2 connection (tokens encrypted per space) and its reports.

`oauth.py` and `client.py` speak Google's wire protocols and know no database; `service.py` holds the policy.
The agents' tools read GA4 through `service.tool_analytics`; nothing here imports an agent.
"""
