// Per-environment addon state (one per Node main thread or worker thread). Nothing in the addon
// is process-global: every LuaVm belongs to the environment that created it.
#pragma once

#include <napi.h>

#include <memory>

#include "watchdog.h"

namespace luaskills {

struct AddonData {
  Napi::FunctionReference vm_constructor;
  // Value builders installed by lib/native.ts (see JsBuilders in convert.h).
  Napi::FunctionReference make_array;
  Napi::FunctionReference append_items;
  Napi::FunctionReference make_object;
  Napi::FunctionReference append_props;
  Napi::FunctionReference encode;
  // Fires job deadlines for this environment's VMs; started on first use.
  Watchdog watchdog;

  static AddonData* From(napi_env env) {
    void* data = nullptr;
    if (env == nullptr || napi_get_instance_data(env, &data) != napi_ok) return nullptr;
    return static_cast<AddonData*>(data);
  }
};

}  // namespace luaskills
