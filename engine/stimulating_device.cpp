#include "engine/stimulating_device.hpp"

#include <cmath>

namespace nestling {

void DeviceWindow::check(const TimeGrid& grid, const std::string& where) const {
  for (auto [name, v] : {std::pair{"origin", origin}, {"start", start}, {"stop", stop}}) {
    if (std::isnan(v)) throw UserError(where + "/" + name, "must be a number");
    if (std::isfinite(v) && !grid.is_on_grid(v))
      throw UserError(where + "/" + name, "must be a multiple of the resolution " + format_number(grid.resolution()) +
                                              " ms, got " + format_number(v));
  }
  if (stop < start) throw UserError(where + "/stop", "must not be smaller than start");
}

}  // namespace nestling
