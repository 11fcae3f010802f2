package server

// Instructions is what initialize tells every client about the server.
const Instructions = `datastack-mcp gives you four data-platform APIs as tools, each prefixed by its provider:
datafold_* (data diffs, column/table lineage, monitors, CI, data sources and SQL), posthog_* (data warehouse sources and their synced tables),
pdc_* (Pentaho Data Catalog data sources) and lightdash_* (projects, explores, charts, catalog, SQL runner, spaces, access).
To compare prod and dev, use diff_tables (it waits for the verdict; get_diff_result picks up a long diff). To answer "what breaks if this column changes",
use lineage_impact (Datafold lineage plus the Lightdash charts and dashboards built on it). Lineage and catalog entries are also
resources (datafold://, lightdash://, posthog://, pdc:// URIs; list_resources and read_resource give the same content as tools).
List tools give the ids other tools need.`
