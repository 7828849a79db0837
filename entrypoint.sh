#!/bin/sh
# Container entry point.
#   no arguments:   run migrations, then serve (the default deployment)
#   any arguments:  run `papo <args>` instead, e.g. `docker run IMAGE --help`
set -eu

if [ "$#" -gt 0 ]; then
    exec papo "$@"
fi

papo migrate
exec papo serve
