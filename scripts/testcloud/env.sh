# shellcheck shell=bash
# Source me: `source scripts/testcloud/env.sh`, then e.g. `openstack --os-cloud imagedrop-demo image list`.
export IMAGEDROP_TESTCLOUD_DIR="${IMAGEDROP_TESTCLOUD_DIR:-/var/tmp/imagedrop-testcloud}"
export OS_CLIENT_CONFIG_FILE="$IMAGEDROP_TESTCLOUD_DIR/clouds.yaml"
