"""Operations: facts from the event streams, KPIs, alerts, voice of customer, knowledge gaps and forecasts."""
