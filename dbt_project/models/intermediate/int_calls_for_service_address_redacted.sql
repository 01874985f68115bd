-- Each call's address with the caller's own name and phone cut out of it (staff type them
-- there), before int_calls_for_service_address_generalized reduces it to the block: the
-- first half of drop_caller_contact_and_narrative for the one free text that is published.
with

normalized as (

    select * from {{ ref('int_calls_for_service_normalized') }}

),

final as (

    select
        source_row_id,
        {% if 'drop_caller_contact_and_narrative' in var('privacy_rules_off', []) %}
            address
        {% else %}
            {{ redact_private_values('address', '[caller_name, caller_phone]') }} as address
        {% endif %}

    from normalized

)

select * from final
