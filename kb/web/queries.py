"""The GraphQL documents the pages run (in-process, through the same schema as the API)."""

from __future__ import annotations

PROVENANCE = "key source illustrative"

STATE = f"""
query StatePage($code: String!) {{
  state(code: $code) {{
    {PROVENANCE} code name fips kind region naspoRegion
    alliances(first: 50) {{ totalCount edges {{ since until node {{ slug name acronym scope }} }} }}
    ledContracts(first: 50) {{ totalCount nodes {{ slug title status }} }}
    participatingContracts(first: 100) {{ totalCount nodes {{ slug title status }} }}
    eligibleContracts(first: 100) {{
      totalCount nodes {{ slug title status alliance {{ slug name }} }}
    }}
    couldJoin {{ reason steps {{ text url }} contract {{ slug title status endsOn }} }}
    practices(first: 50) {{ totalCount nodes {{ slug title }} }}
    lessons(first: 50, orderBy: RECORDED_ON_DESC) {{ totalCount nodes {{ key title recordedOn }} }}
  }}
}}
"""

ALLIANCE = f"""
query AlliancePage($slug: String!) {{
  alliance(slug: $slug) {{
    {PROVENANCE} slug name acronym scope description founded dissolved
    parent {{ slug name }}
    arms(first: 20) {{ nodes {{ slug name }} }}
    members(first: 100) {{ totalCount edges {{ since until node {{ code name }} }} }}
    contracts(first: 100) {{ totalCount nodes {{ slug title status }} }}
    practices(first: 50) {{ nodes {{ slug title }} }}
    lessons(first: 50) {{ totalCount nodes {{ key title }} }}
  }}
}}
"""

CONTRACT = f"""
query ContractPage($slug: String!) {{
  contract(slug: $slug) {{
    {PROVENANCE} slug title number status startsOn endsOn description
    solicitation renewal adminFee portfolioUrl leadStateUrl openTo termsSource
    alliance {{ slug name }}
    leadState {{ code name }}
    vendors {{ number startsOn endsOn source vendor {{ slug name website illustrative }} }}
    participants(first: 100) {{
      totalCount edges {{ signed scope source node {{ code name }} }} nodes {{ code name }}
    }}
    categories(first: 50) {{ nodes {{ code name }} }}
    practices(first: 50) {{ nodes {{ slug title }} }}
    lessons(first: 50) {{ totalCount nodes {{ key title recordedOn }} }}
  }}
}}
"""

CATEGORY = f"""
query CategoryPage($code: String!) {{
  category(code: $code) {{
    {PROVENANCE} code name kind description
    parent {{ code name }}
    children(first: 50) {{ nodes {{ code name }} }}
    contracts(first: 50) {{ totalCount nodes {{ slug title status }} }}
    practices(first: 50) {{ totalCount nodes {{ slug title }} }}
    lessons(first: 50) {{ totalCount nodes {{ key title }} }}
  }}
}}
"""

PRACTICE = f"""
query PracticePage($slug: String!) {{
  practice(slug: $slug) {{
    {PROVENANCE} slug title summary body focusArea tags publishedOn
    states(first: 60) {{ nodes {{ code name }} }}
    alliances(first: 20) {{ nodes {{ slug name }} }}
    categories(first: 30) {{ nodes {{ code name }} }}
    contracts(first: 30) {{ nodes {{ slug title }} }}
    related(first: 20) {{ nodes {{ slug title }} }}
    prerequisites(first: 20) {{ nodes {{ slug title }} }}
    unlocks(first: 20) {{ nodes {{ slug title }} }}
    lessons(first: 50) {{ totalCount nodes {{ key title }} }}
    relatedItems(first: 6) {{ kind key title }}
  }}
}}
"""

LESSON = f"""
query LessonPage($id: String!) {{
  lesson(id: $id) {{
    {PROVENANCE} title context lesson recommendation recordedOn status tags
    state {{ code name }}
    practice {{ slug title }}
    alliances(first: 10) {{ nodes {{ slug name }} }}
    contracts(first: 10) {{ nodes {{ slug title }} }}
    categories(first: 20) {{ nodes {{ code name }} }}
    relatedItems(first: 6) {{ kind key title }}
  }}
}}
"""

STATES = """
query StatesPage($where: StateWhere, $orderBy: StateOrder, $first: Int, $after: String) {
  states(first: $first, after: $after, where: $where, orderBy: $orderBy) {
    totalCount nodes { code name kind region naspoRegion }
  }
}
"""

ALLIANCES = """
query AlliancesPage($where: AllianceWhere, $orderBy: AllianceOrder, $first: Int, $after: String) {
  alliances(first: $first, after: $after, where: $where, orderBy: $orderBy) {
    totalCount nodes { slug name acronym scope founded illustrative }
  }
}
"""

CONTRACTS = """
query ContractsPage($where: ContractWhere, $orderBy: ContractOrder, $first: Int, $after: String) {
  contracts(first: $first, after: $after, where: $where, orderBy: $orderBy) {
    totalCount nodes { slug title status illustrative alliance { slug name } leadState { code } }
  }
}
"""

LESSONS = """
query LessonsPage($where: LessonWhere, $orderBy: LessonOrder, $first: Int, $after: String) {
  lessons(first: $first, after: $after, where: $where, orderBy: $orderBy) {
    totalCount
    nodes {
      key title status recordedOn illustrative
      state { code name }
      categories(first: 3) { nodes { code name } }
    }
  }
}
"""

#: What the facets of the listing pages offer (a filter value outside these is a 400).
LESSON_OPTIONS = """
query LessonOptions {
  states(first: 100, orderBy: NAME_ASC) { nodes { code name } }
  categories(first: 100, orderBy: CODE_ASC) { nodes { code name } }
}
"""

CONTRACT_OPTIONS = """
query ContractOptions {
  states(first: 100, orderBy: NAME_ASC) { nodes { code name } }
  alliances(first: 100, orderBy: NAME_ASC) { nodes { slug name } }
}
"""

CATEGORIES = """
query CategoriesPage($where: CategoryWhere, $orderBy: CategoryOrder, $first: Int, $after: String) {
  categories(first: $first, after: $after, where: $where, orderBy: $orderBy) {
    totalCount nodes { code name kind parent { code name } }
  }
}
"""

PRACTICES = """
query PracticesPage($where: PracticeWhere, $orderBy: PracticeOrder, $first: Int, $after: String) {
  practices(first: $first, after: $after, where: $where, orderBy: $orderBy) {
    totalCount nodes { slug title summary focusArea publishedOn illustrative }
  }
}
"""

STATE_OPTIONS = """
query StateOptions {
  states(first: 100) { nodes { region naspoRegion } }
  alliances(first: 100, orderBy: NAME_ASC) { nodes { slug name } }
}
"""

ALLIANCE_OPTIONS = """
query AllianceOptions { states(first: 100, orderBy: NAME_ASC) { nodes { code name } } }
"""

CATEGORY_OPTIONS = """
query CategoryOptions {
  groups: categories(first: 100, orderBy: NAME_ASC, where: {kind: [GROUP]}) {
    nodes { code name }
  }
}
"""

PRACTICE_OPTIONS = """
query PracticeOptions {
  states(first: 100, orderBy: NAME_ASC) { nodes { code name } }
  alliances(first: 100, orderBy: NAME_ASC) { nodes { slug name } }
  categories(first: 100, orderBy: CODE_ASC) { nodes { code name } }
}
"""

#: The home page: what is new (lessons and practices only; a contract still being
#: solicited is not news), and the ways in (states, alliances, categories, curricula).
HOME = """
query HomePage {
  lessons(first: 6, orderBy: RECORDED_ON_DESC) {
    totalCount nodes { key title recordedOn illustrative state { code name } }
  }
  practices(first: 6, orderBy: PUBLISHED_ON_DESC) {
    totalCount nodes { slug title publishedOn summary illustrative }
  }
  states(first: 100, orderBy: NAME_ASC) { totalCount nodes { code name kind } }
  alliances(first: 100, orderBy: NAME_ASC) { totalCount nodes { slug name acronym } }
  categories(first: 100, orderBy: NAME_ASC, where: {topLevel: true}) {
    totalCount nodes { code name kind }
  }
  contracts(first: 1, where: {status: [ACTIVE]}) { totalCount }
  curricula(first: 20) { totalCount nodes { key title audience level itemCount } }
}
"""
