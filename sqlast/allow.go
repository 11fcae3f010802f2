package sqlast

import "strings"

// The allowlists below name what a read-only query may call. Names are
// judged as written, without a catalog: a function is allowed when its name
// is a built-in of PostgreSQL or of a common warehouse (Snowflake, BigQuery,
// MySQL, Databricks, Redshift, Trino) that only computes a value. Anything
// else, including every user-defined function, needs confirmation.

// set builds a lookup table from space-separated names.
func set(groups ...string) map[string]bool {
	m := map[string]bool{}
	for _, g := range groups {
		for _, name := range strings.Fields(g) {
			m[name] = true
		}
	}
	return m
}

// safeFunctions computes values and changes nothing: no writes, no sequence
// or session state, no locks, no signals, no files, no other connections,
// no SQL passed as text.
var safeFunctions = set(
	// aggregates
	`count sum avg min max stddev stddev_pop stddev_samp variance var_pop var_samp every
	bool_and bool_or bit_and bit_or bit_xor array_agg string_agg json_agg jsonb_agg
	json_object_agg jsonb_object_agg json_agg_strict jsonb_agg_strict xmlagg percentile_cont
	percentile_disc mode corr covar_pop covar_samp regr_avgx regr_avgy regr_count regr_intercept
	regr_r2 regr_slope regr_sxx regr_sxy regr_syy grouping any_value range_agg range_intersect_agg
	listagg median approx_count_distinct approx_distinct count_if countif approx_quantiles
	approx_percentile approx_top_count array_concat_agg logical_and logical_or collect_list
	collect_set max_by min_by arg_max arg_min arbitrary kurtosis skew skewness booland_agg
	boolor_agg hll_count_distinct`,
	// window functions
	`row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value
	nth_value ratio_to_report conditional_change_event conditional_true_event`,
	// math
	`abs cbrt ceil ceiling degrees div exp factorial floor gcd lcm ln log log10 log2 min_scale mod
	pi power pow radians round scale sign sqrt trim_scale trunc width_bucket random rand
	acos asin atan atan2 cos cot sin tan sinh cosh tanh asinh acosh atanh acosd asind atand
	atan2d cosd cotd sind tand square div0 div0null safe_divide ieee_divide zeroifnull
	nullifzero greatest least erf erfc`,
	// strings
	`ascii bit_length btrim char_length character_length chr concat concat_ws format initcap
	left length lower lpad ltrim md5 normalize is_normalized octet_length overlay position
	quote_ident quote_literal quote_nullable regexp_count regexp_instr regexp_like
	regexp_match regexp_matches regexp_replace regexp_split_to_array regexp_split_to_table
	regexp_substr regexp_extract regexp_extract_all repeat replace reverse right rpad rtrim
	split_part starts_with startswith ends_with endswith strpos substr substring to_ascii
	to_hex translate trim upper unistr string_to_array string_to_table array_to_string encode
	decode sha224 sha256 sha384 sha512 sha1 sha2 md5_hex contains charindex instr len lcase
	ucase space soundex difference levenshtein editdistance split to_varchar to_number
	try_to_number base64_encode base64_decode_string to_base64 from_base64 byte_length
	char hash farm_fingerprint like_escape similar_to_escape similar_escape casefold
	convert_from convert_to string text unicode`,
	// dates and times
	`age clock_timestamp current_date current_time current_timestamp localtime localtimestamp
	date_bin date_part date_trunc extract isfinite justify_days justify_hours justify_interval
	make_date make_interval make_time make_timestamp make_timestamptz now statement_timestamp
	timeofday transaction_timestamp to_timestamp to_char to_date timezone overlaps
	dateadd datediff date_add date_sub date_diff timestampadd timestampdiff timestamp_add
	timestamp_sub timestamp_diff timestamp_trunc datetime_trunc datetime_add datetime_sub
	datetime_diff date_format format_date format_timestamp format_datetime parse_date
	parse_timestamp parse_datetime last_day next_day previous_day dayname monthname year month
	day quarter week dayofweek dayofmonth dayofyear hour minute second weekofyear weekiso
	yearofweek convert_timezone from_unixtime unix_timestamp to_unixtime getdate sysdate
	systimestamp months_between add_months date_from_parts time_from_parts
	timestamp_from_parts time_slice unix_seconds unix_millis timestamp_seconds
	timestamp_millis timestamp_micros date datetime timestamp time try_to_date
	try_to_timestamp to_time to_timestamp_ntz to_timestamp_tz from_utc_timestamp
	to_utc_timestamp current_datetime`,
	// conditionals and comparisons
	`coalesce nullif nvl nvl2 ifnull iff iif if equal_null num_nulls num_nonnulls`,
	// json and semi-structured values
	`json_extract_path json_extract_path_text jsonb_extract_path jsonb_extract_path_text
	json_array_length jsonb_array_length json_typeof jsonb_typeof json_build_object
	jsonb_build_object json_build_array jsonb_build_array json_object jsonb_object to_json
	to_jsonb row_to_json array_to_json json_each jsonb_each json_each_text jsonb_each_text
	json_array_elements jsonb_array_elements json_array_elements_text
	jsonb_array_elements_text json_object_keys jsonb_object_keys jsonb_pretty jsonb_path_query
	jsonb_path_query_array jsonb_path_query_first jsonb_path_exists jsonb_path_match
	json_strip_nulls jsonb_strip_nulls jsonb_set jsonb_set_lax jsonb_insert json_populate_record
	jsonb_populate_record json_populate_recordset jsonb_populate_recordset json_to_record
	jsonb_to_record json_to_recordset jsonb_to_recordset parse_json try_parse_json json_extract
	json_extract_scalar json_extract_array json_extract_string_array json_value json_query
	json_query_array json_value_array get_path get get_json_object json_array_contains
	json_size json_format object_construct object_keys array_construct to_variant to_array
	to_object is_null_value typeof json_serialize json_scalar`,
	// arrays and set-returning helpers
	`array_length array_lower array_upper array_position array_positions array_remove
	array_replace array_append array_prepend array_cat array_dims array_ndims array_fill
	cardinality unnest generate_series generate_subscripts array_contains array_size
	arrays_overlap array_distinct array_join array_slice array_sort array_min array_max
	element_at size explode flatten sequence range lower_inf upper_inf isempty
	array_to_tsvector to_tsvector to_tsquery plainto_tsquery phraseto_tsquery
	websearch_to_tsquery ts_rank ts_rank_cd ts_headline`,
	// type and catalog information, read-only
	`pg_typeof format_type current_database current_schema current_schemas current_setting
	current_user current_role session_user user version pg_backend_pid has_table_privilege
	has_schema_privilege has_column_privilege has_database_privilege has_function_privilege
	has_sequence_privilege pg_has_role pg_get_viewdef pg_get_indexdef pg_get_constraintdef
	pg_get_expr pg_get_functiondef pg_get_function_arguments pg_get_function_result
	pg_get_triggerdef pg_get_userbyid pg_get_serial_sequence obj_description col_description
	shobj_description pg_table_is_visible pg_type_is_visible pg_function_is_visible
	pg_relation_size pg_total_relation_size pg_table_size pg_indexes_size pg_database_size
	pg_size_pretty pg_size_bytes pg_column_size to_regclass to_regtype to_regproc
	to_regprocedure to_regnamespace to_regrole pg_encoding_to_char pg_is_in_recovery
	pg_postmaster_start_time pg_collation_for inet_client_addr inet_server_addr
	gen_random_uuid uuid_generate_v4 uuid generate_uuid uuid_string system_user
	row_security_active`,
)

// safeTypes are built-in types a value may be cast to. A cast to anything
// else (a domain, an enum, a user-defined type) may run a user-defined cast
// function.
var safeTypes = set(
	`bool boolean int2 int4 int8 int smallint integer bigint tinyint byteint int64 float4
	float8 float float64 real double numeric decimal number bignumeric bigdecimal money char
	character bpchar varchar nvarchar nchar text name string bytea bytes binary varbinary
	date time timetz timestamp timestamptz timestamp_ntz timestamp_ltz timestamp_tz datetime
	interval json jsonb uuid inet cidr macaddr macaddr8 bit varbit regclass regtype regproc
	regprocedure regnamespace regrole regconfig oid xml tsvector tsquery variant object array
	geography geometry point int4range int8range numrange daterange tsrange tstzrange`,
)

// safeOperators are the operators of the built-in types.
var safeOperators = set(
	`+ - * / % ^ = <> != < > <= >= || ~~ !~~ ~~* !~~* ~ !~ ~* !~* -> ->> @> <@ ? ?| ?& &&
	@? @@ |/ ||/ @ & | << >> -|- <-> &< &> <<| |>> <^ >^ ?- ?-| ?|| @-@`,
)

// safeSampleMethods are the built-in TABLESAMPLE methods.
var safeSampleMethods = set(`bernoulli system`)

// allowedName reports whether a possibly schema-qualified name is on list:
// unqualified, or qualified by pg_catalog. The comparison is exact: the
// grammar has already folded unquoted names to lower case, and a quoted
// "LOWER" or "PG_CATALOG" names a different, possibly user-made, object.
func allowedName(parts []string, list map[string]bool) bool {
	switch {
	case len(parts) == 1:
	case len(parts) == 2 && parts[0] == "pg_catalog":
	default:
		return false
	}
	return list[parts[len(parts)-1]]
}
