"""smguard's built-in rule packs (YAML files in common/, en/ and id/)."""
