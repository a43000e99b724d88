/* The shim as its own executable (rein-shim), for hosts that are not the NativeAOT `rein` binary: a .NET program
 * using the Rein library, the test suite. */
#include "shim.h"

int main(int argc, char **argv) { return shim_main(argc - 1, argv + 1); }
