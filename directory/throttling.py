from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle


class LiveScopedRateThrottle(ScopedRateThrottle):
    """ScopedRateThrottle that reads the rates at request time: DRF's class attribute
    snapshots DEFAULT_THROTTLE_RATES at import, so changed settings would never apply."""

    @property
    def THROTTLE_RATES(self) -> dict:  # noqa: N802 - the name DRF looks up
        return api_settings.DEFAULT_THROTTLE_RATES
