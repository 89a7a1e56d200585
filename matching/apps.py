from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        # The match index (a directory read model) computes the request-independent parts
        # of the scores with matching's formulas; the directory itself keeps none.
        from directory.services.match_index import match_index_derive
        from matching.index_parts import index_parts_sql

        match_index_derive(index_parts_sql())
