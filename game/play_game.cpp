#include "game/play_game.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>

#include "game/game_output.hpp"
#include "game/game_setup.hpp"
#include "game/session.hpp"
#include "output/partial_file.hpp"
#include "sim/progress.hpp"

namespace cm::game {

void play_game_to_file(const GameSpec& spec, const GameOptions& options, const std::string& resolved_yaml) {
  const GameSetup game(spec);
  const bool keep_greedy = writes_greedy(game);
  std::vector<SessionResult> results(std::size_t(spec.sessions));
  std::atomic<int> next{0}, done{0};
  std::exception_ptr failure;
  std::mutex failure_lock;
  const int jobs = std::clamp(options.jobs, 1, spec.sessions);
  Progress progress(options.progress, spec.sessions, "sessions");
  auto draw = [&] {
    progress.update(done, "session " + std::to_string(done.load()) + "/" + std::to_string(spec.sessions));
  };
  // Each session is seeded by its index alone, so which thread plays it changes nothing. The first
  // failure stops the others taking new sessions.
  auto worker = [&](bool draws) {
    for (int s = next++; s < spec.sessions; s = next++) {
      try {
        results[std::size_t(s)] = play_session(game, s, keep_greedy);
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_lock);
        if (!failure) failure = std::current_exception();
        next = spec.sessions;
      }
      ++done;
      if (draws) draw();
    }
  };
  if (jobs == 1) {
    worker(true);
  } else {
    std::atomic<int> running{jobs};
    std::vector<std::thread> threads;
    for (int j = 0; j < jobs; ++j)
      threads.emplace_back([&] {
        worker(false);
        --running;
      });
    while (options.progress && running > 0) {  // the main thread only draws
      draw();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    for (auto& t : threads) t.join();
    draw();
  }
  progress.finish();
  if (failure) std::rethrow_exception(failure);
  output::PartialFile partial(options.output_path);
  write_game(partial.path(), game, results, resolved_yaml);
  partial.commit();
}

}  // namespace cm::game
