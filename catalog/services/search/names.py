"""Alternate names widen a search: a term that is one of an agent's or a place's names also
finds their other names (Monafeqin -> MEK), and a word that differs between two spellings of the
same name finds the other spelling (Raisi -> Raissi).

A protected person's names are used only for viewers who may see that identity: for everyone
else they neither widen a search nor appear among the names searched for.
"""

from __future__ import annotations

from itertools import combinations

from sqlalchemy import select

from ...models import Agent, AgentName, Place, PlaceName
from .facts import RANK
from .normalise import tokens
from .query import Alternative, ParsedQuery, Term

#: Most alternatives one term may grow to.
MAX_ALTERNATIVES = 24


class NameIndex:
    def __init__(self, connection) -> None:
        #: entity -> (lowest rank that may use its names, its names as (display, tokens)).
        self.entities: list[tuple[int, list[tuple[str, tuple[str, ...]]]]] = []
        self.full: dict[tuple[str, ...], list[int]] = {}
        self.variants: dict[str, list[tuple[str, int]]] = {}
        agents = {
            row.id: (RANK[row.identity_access] if row.is_protected else 0, [row.preferred_name])
            for row in connection.execute(
                select(Agent.id, Agent.preferred_name, Agent.is_protected, Agent.identity_access)
            )
        }
        for agent_id, name in connection.execute(select(AgentName.agent_id, AgentName.name)):
            if agent_id in agents:
                agents[agent_id][1].append(name)
        places = {row.id: (0, [row.name]) for row in connection.execute(select(Place.id, Place.name))}
        for place_id, name in connection.execute(select(PlaceName.place_id, PlaceName.name)):
            if place_id in places:
                places[place_id][1].append(name)
        for rank, names in (*agents.values(), *places.values()):
            self._add(rank, names)

    def _add(self, rank: int, names: list[str]) -> None:
        entity = len(self.entities)
        forms: dict[tuple[str, ...], str] = {}
        for name in names:
            folded = tuple(tokens(name))
            if folded and folded not in forms:
                forms[folded] = name
        if len(forms) < 2:
            return
        self.entities.append((rank, [(display, folded) for folded, display in forms.items()]))
        for folded in forms:
            self.full.setdefault(folded, []).append(entity)
        for first, second in combinations(forms, 2):
            if len(first) != len(second):
                continue
            differing = [i for i in range(len(first)) if first[i] != second[i]]
            if len(differing) == 1:
                i = differing[0]
                self.variants.setdefault(first[i], []).append((second[i], entity))
                self.variants.setdefault(second[i], []).append((first[i], entity))

    def expand(self, query: ParsedQuery, rank: int) -> tuple[ParsedQuery, tuple[str, ...]]:
        """The query with alternate names added to its terms, and the names added (for display)."""
        added: list[str] = []
        terms = []
        for term in query.terms:
            alternative = term.alternatives[0]
            if term.negated or alternative.prefix:
                terms.append(term)
                continue
            alternatives = {alternative.tokens: alternative}
            for entity in self.full.get(alternative.tokens, []):
                entity_rank, names = self.entities[entity]
                if entity_rank > rank:
                    continue
                for display, folded in names:
                    if folded not in alternatives and len(alternatives) < MAX_ALTERNATIVES:
                        alternatives[folded] = Alternative(folded)
                        added.append(display)
            if len(alternative.tokens) == 1:
                for variant, entity in self.variants.get(alternative.tokens[0], []):
                    if self.entities[entity][0] <= rank and (variant,) not in alternatives:
                        if len(alternatives) < MAX_ALTERNATIVES:
                            alternatives[(variant,)] = Alternative((variant,))
                            added.append(variant)
            terms.append(Term(term.typed, tuple(alternatives.values()), term.negated))
        return ParsedQuery(query.text, tuple(terms), query.notes), tuple(dict.fromkeys(added))
