// Which cgroup interface a file comes from: the memory cgroup (cgroup) and
// the working set read from its files (memory_restart) both ask. Pure.
#pragma once

namespace vigil {

enum class CgroupVersion { v1, v2 };

}  // namespace vigil
