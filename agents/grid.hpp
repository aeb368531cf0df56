#pragma once
// A dense row-major 2-D array of doubles, e.g. vendor x product. Rows and columns are indices
// into the scenario's lists.
#include <cstddef>
#include <span>
#include <vector>

namespace cm {

class Grid {
 public:
  Grid() = default;
  Grid(std::size_t rows, std::size_t cols, double fill = 0.0) : rows_(rows), cols_(cols), v_(rows * cols, fill) {}
  double& operator()(std::size_t r, std::size_t c) { return v_[r * cols_ + c]; }
  double operator()(std::size_t r, std::size_t c) const { return v_[r * cols_ + c]; }
  std::span<double> row(std::size_t r) { return {v_.data() + r * cols_, cols_}; }
  std::span<const double> row(std::size_t r) const { return {v_.data() + r * cols_, cols_}; }
  std::span<const double> values() const { return v_; }
  std::size_t rows() const { return rows_; }
  std::size_t cols() const { return cols_; }
  void fill(double x) { v_.assign(v_.size(), x); }

 private:
  std::size_t rows_ = 0, cols_ = 0;
  std::vector<double> v_;
};

}  // namespace cm
