-- A failure means a signal type code is published with more than one text: the call_types
-- seed is missing the code, or normalization regressed.
select
    type_,
    count(distinct typetext) as texts
from {{ ref('calls_for_service') }}
group by type_
having count(distinct typetext) > 1
