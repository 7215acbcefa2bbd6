// libmosquitto (Eclipse Mosquitto's MQTT client library, Debian libmosquitto-dev), wrapped only by the MQTT module.
// Nothing needs shimming: every function and constant ssdd uses imports into Swift as is.
#pragma once
#include <mosquitto.h>
