#include "hv/core/config.h"

#include "hv/lib/fmt.h"

namespace hv {

void set_vm_name(char (&name)[kNameLen], const char* value) {
    str_copy(name, kNameLen, value);
}

} // namespace hv
