-- A table, not a view: the mart and the tests on this model read it, and each would
-- otherwise evaluate the privacy rules over the whole window again.
{{ config(materialized='table') }}
{# Empty but in tests of the contracts: see privacy_rules_off in dbt_project.yml. #}
{% set rules_off = var('privacy_rules_off', []) %}
-- The privacy rules of seeds/privacy_rules.csv applied: contact details and narratives
-- dropped (and cut out of the address where staff typed them there), addresses and
-- coordinates generalized to the block (a call whose address has no safe public form, or
-- whose type the rule table does not know yet, withheld), type and disposition texts
-- published only as the rule tables spell them, and each row that must not be published
-- marked with the rule that excludes it (the mart keeps the unmarked ones). A call is
-- juvenile when any version of it the window holds is: the police reclassify for 36 hours,
-- versions can tie or arrive out of order, and a case that was ever juvenile must not be
-- published by whichever version wins.
with

normalized as (

    select * from {{ ref('int_calls_for_service_normalized') }}

),

versions as (

    select * from {{ ref('int_calls_for_service_validated') }}
    where nopd_item is not null

),

call_types as (

    select * from {{ ref('call_types_reviewed') }}

),

dispositions as (

    select * from {{ ref('dispositions') }}

),

version_types as (

    select
        versions.nopd_item,
        versions.type_code,
        versions.type_text_reported,
        final_type.type_text as final_type_text,
        versions.initial_type_code,
        versions.initial_type_text_reported,
        initial_type.type_text as initial_type_text

    from versions
    left join call_types as final_type
        on {{ privacy_text('versions.type_code') }} = {{ privacy_text('final_type.type_code') }}
    left join call_types as initial_type
        on {{ privacy_text('versions.initial_type_code') }}
            = {{ privacy_text('initial_type.type_code') }}

),

-- The juvenile test matches each text against every pattern of the seed; a window holds a
-- few thousand distinct codes and texts among hundreds of thousands of versions, so the
-- test runs once per distinct combination rather than once per version.
type_combinations as (

    select distinct
        type_code,
        type_text_reported,
        final_type_text,
        initial_type_code,
        initial_type_text_reported,
        initial_type_text

    from version_types

),

juvenile_combinations as (

    select
        *,
        {{ is_juvenile_call_type('type_code', ['type_text_reported', 'final_type_text']) }}
        or {{ is_juvenile_call_type(
            'initial_type_code', ['initial_type_text_reported', 'initial_type_text']
        ) }} as is_juvenile_call_type

    from type_combinations

),

calls_ever_juvenile as (

    select
        version_types.nopd_item,
        bool_or(juvenile_combinations.is_juvenile_call_type) as is_juvenile_call_type

    from version_types
    inner join juvenile_combinations
        on version_types.type_code is not distinct from juvenile_combinations.type_code
            and (
                version_types.type_text_reported
                is not distinct from juvenile_combinations.type_text_reported
            )
            and (
                version_types.final_type_text
                is not distinct from juvenile_combinations.final_type_text
            )
            and (
                version_types.initial_type_code
                is not distinct from juvenile_combinations.initial_type_code
            )
            and (
                version_types.initial_type_text_reported
                is not distinct from juvenile_combinations.initial_type_text_reported
            )
            and (
                version_types.initial_type_text
                is not distinct from juvenile_combinations.initial_type_text
            )
    group by version_types.nopd_item

),

block_located as (

    select * from {{ ref('int_calls_for_service_block_located') }}

),

-- Named columns, not `*`: the column lineage reads these models' schemas from the run, and
-- a star it cannot expand would cost the whole model its lineage.
address_generalized as (

    select
        source_row_id,
        block_address,
        address_withheld_reason
    from {{ ref('int_calls_for_service_address_generalized') }}

),

{% set address_unmasked = (
    'mask_block_address' in rules_off or 'withhold_unsafe_addresses' in rules_off
) %}
{% if address_unmasked %}
    address_redacted as (

        select
            source_row_id,
            address
        from {{ ref('int_calls_for_service_address_redacted') }}

    ),
{% endif %}

-- withhold_rows_by_steward and merge_confirmed_duplicate_events: rows the stewards took
-- out of the public set (models/rules/withheld_rows_reviewed.sql).
steward_withheld as (

    select
        row_id,
        exclusion_rule
    from {{ ref('withheld_rows_reviewed') }}
    where dataset = 'calls_for_service'

),

sensitive_types as (

    select * from {{ ref('sensitive_location_call_types_reviewed') }}

),

screened as (

    select
        -- normalized's columns only: `*` would add the join's nopd_item and a second
        -- is_juvenile_call_type, ambiguous to readers and to the column lineage.
        normalized.*,
        {% if 'exclude_juvenile_call_types' in rules_off %}
            false
        {% else %}
            coalesce(calls_ever_juvenile.is_juvenile_call_type, true)
        {% endif %} as is_juvenile_call_type,
        {% if 'exclude_open_calls' in rules_off %} false {% else %}
            normalized.closed_at is null
        {% endif %} as is_open_call,
        -- suppress_coordinates_for_sensitive_types: the final or the initial type, in the
        -- rule table's text or as the source typed it, matching a listed pattern, or its
        -- code one a steward classified as a sensitive location.
        {% if 'suppress_coordinates_for_sensitive_types' in rules_off %} false and {% endif %}
        exists(
            select 1 from sensitive_types
            where
                {{ privacy_text('normalized.type_code') }} = sensitive_types.type_code
                or {{ privacy_text('normalized.initial_type_code') }} = sensitive_types.type_code
                or regexp_matches(
                    {{ privacy_text('normalized.type_text') }}, sensitive_types.pattern
                )
                or regexp_matches(
                    {{ privacy_text('normalized.type_text_reported') }}, sensitive_types.pattern
                )
                or regexp_matches(
                    {{ privacy_text('normalized.initial_type_text') }}, sensitive_types.pattern
                )
                or regexp_matches(
                    {{ privacy_text('normalized.initial_type_text_reported') }},
                    sensitive_types.pattern
                )
        ) as is_sensitive_location

    from normalized
    left join calls_ever_juvenile
        on normalized.nopd_item = calls_ever_juvenile.nopd_item

),

generalized as (

    select
        -- Named apart rather than `* exclude (...)`, which the column lineage cannot read.
        screened.*,
        -- The code as the rule table spells it too (' 21j' is published as 21J).
        published_type.type_code as published_type_code,
        published_initial_type.type_code as published_initial_type_code,
        {% if 'publish_code_texts_from_rule_tables' in rules_off %}
            screened.type_text_reported as published_type_text,
            screened.initial_type_text_reported as published_initial_type_text,
        {% else %}
            published_type.type_text as published_type_text,
            published_initial_type.type_text as published_initial_type_text,
        {% endif %}
        published_disposition.disposition_text as published_disposition_text,
        {% if 'mask_block_address' in rules_off %}
            address_redacted.address as block_address,
        {% elif 'withhold_unsafe_addresses' in rules_off %}
            coalesce(address_generalized.block_address, address_redacted.address)
                as block_address,
        {% else %}
            address_generalized.block_address,
        {% endif %}
        {% if address_unmasked %}
            false
        {% else %}
            address_generalized.address_withheld_reason is not null
        {% endif %} as is_unsafe_address,
        -- withhold_unclassified_call_types: a code the rule table does not list yet has no
        -- known public text and no known juvenile or sensitive-location status.
        {% if 'withhold_unclassified_call_types' in rules_off %} false and ({% endif %}
        published_type.type_code is null
        or (
            {{ privacy_text('screened.initial_type_code') }} is not null
            and published_initial_type.type_code is null
        )
        {% if 'withhold_unclassified_call_types' in rules_off %}){% endif %}
            as is_unclassified_call_type,
        case when not screened.is_sensitive_location then block_located.map_x end as map_x,
        case when not screened.is_sensitive_location then block_located.map_y end as map_y,
        case
            when not screened.is_sensitive_location
                then {{ wkt_point(
                    'block_located.block_longitude', 'block_located.block_latitude'
                ) }}
        end as location,
        steward_withheld.exclusion_rule as steward_exclusion_rule

    from screened
    left join block_located
        on screened.source_row_id = block_located.source_row_id
    left join address_generalized
        on screened.source_row_id = address_generalized.source_row_id
    left join steward_withheld
        on screened.nopd_item = steward_withheld.row_id
    {% if address_unmasked %}
        left join address_redacted
            on screened.source_row_id = address_redacted.source_row_id
    {% endif %}
    -- publish_code_texts_from_rule_tables: a text typed by hand can carry a caller's name
    -- or address; only the rule tables' text for the code is published.
    left join call_types as published_type
        on {{ privacy_text('screened.type_code') }} = {{ privacy_text('published_type.type_code') }}
    left join call_types as published_initial_type
        on {{ privacy_text('screened.initial_type_code') }}
            = {{ privacy_text('published_initial_type.type_code') }}
    left join dispositions as published_disposition
        on {{ privacy_text('screened.disposition_code') }}
            = {{ privacy_text('published_disposition.disposition_code') }}

),

final as (

    select
        source_row_id,
        source_updated_at,
        partition_date,
        versions_seen,
        nopd_item,
        coalesce(published_type_code, type_code) as type_code,
        published_type_text as type_text,
        priority,
        coalesce(published_initial_type_code, initial_type_code) as initial_type_code,
        published_initial_type_text as initial_type_text,
        initial_priority,
        created_at,
        dispatched_at,
        arrived_at,
        closed_at,
        disposition_code,
        published_disposition_text as disposition_text,
        is_self_initiated,
        beat,
        block_address,
        zip,
        police_district,
        map_x,
        map_y,
        location,
        case
            when is_juvenile_call_type then 'exclude_juvenile_call_types'
            when is_unclassified_call_type then 'withhold_unclassified_call_types'
            when steward_exclusion_rule is not null then steward_exclusion_rule
            when is_unsafe_address then 'withhold_unsafe_addresses'
            when is_open_call then 'exclude_open_calls'
        end as exclusion_rule

    from generalized

)

select * from final
