#pragma once

#include "engine/model_registry.hpp"

namespace nestling {

// Adds every built-in node and synapse model to `registry`.
void register_builtin_models(ModelRegistry& registry);

}  // namespace nestling
