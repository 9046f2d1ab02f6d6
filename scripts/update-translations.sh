#!/usr/bin/env bash
# Extract user-facing strings, merge them into the ru/en catalogues, and compile them.
# Run after changing any _()/N_() string; then translate the new entries in leadbot/locales/ru.
set -euo pipefail
cd "$(dirname "$0")/.."
locales=leadbot/locales
pybabel -q extract -F babel.cfg -k _ -k __ -k N_ -k ngettext:1,2 --no-location --sort-output \
    --project leadbot -o "$locales/messages.pot" leadbot handlers >/dev/null
for lang in ru en; do
    if [ -f "$locales/$lang/LC_MESSAGES/messages.po" ]; then
        pybabel -q -q update -i "$locales/messages.pot" -d "$locales" -D messages -l "$lang" --no-fuzzy-matching --ignore-obsolete >/dev/null
    else
        pybabel -q -q init -i "$locales/messages.pot" -d "$locales" -D messages -l "$lang" >/dev/null
    fi
done
pybabel -q compile -d "$locales" -D messages --use-fuzzy >/dev/null
echo "catalogues updated; translate new entries in $locales/ru, then run this again"
