// The declaration in include/fuzz_driver.h is all this target provides; SwiftPM needs a source file.
#include "fuzz_driver.h"
