// OpenBLAS's CBLAS interface plus its thread-control extensions.
#pragma once
#include <cblas.h>
