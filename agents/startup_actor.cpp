#include "agents/startup_actor.hpp"

#include <simgrid/s4u.hpp>

#include <algorithm>
#include <map>
#include <memory>

namespace cm {

namespace sg4 = simgrid::s4u;

std::string startup_mailbox(const Scenario& sc, std::size_t i) { return "startup:" + sc.startups[i].id; }

std::string investor_mailbox(const Scenario& sc, const InvestorRef& who) {
  return who.is_vendor ? "investor:vendor:" + sc.vendors[who.index].id : "investor:fund:" + sc.investors[who.index].id;
}

std::vector<InvestorRef> investors_of(const Scenario& sc) {
  std::vector<InvestorRef> all;
  for (std::size_t v = 0; v < sc.vendors.size(); ++v) {
    const bool owns_a_lab =
        std::any_of(sc.startups.begin(), sc.startups.end(), [&](const Startup& s) { return s.owner == v; });
    if (sc.vendors[v].investment || owns_a_lab) all.push_back({true, v});
  }
  for (std::size_t k = 0; k < sc.investors.size(); ++k) all.push_back({false, k});
  return all;
}

void StartupActor::start_run() {
  const std::size_t v = world_.startups.trains_on(startup_);
  world_.release_gpu_hours(startup_);  // the last run's cluster, if any
  if (!world_.active(v) || platform_.vendor_hosts[v].empty()) return;
  // What it decides to buy from money and expected earnings (agents/training_plan.hpp).
  const double fleet_hours = platform_.vendor_hosts[v].front()->get_speed() * kSecondsPerAverageMonth /
                             world_.scenario.market.flops_per_gpu_hour;
  const TrainingPlan plan = world_.plan_training(startup_, sg4::Engine::get_clock(), fleet_hours);
  if (!(plan.flops > 0) || !(plan.gpu_hours_per_month > 0)) return;  // wait for money (or a reason)
  auto exec = sg4::this_actor::exec_init(plan.flops);
  exec->set_host(platform_.vendor_hosts[v].front());
  // The cluster it rents: its GPU-hours a month at flops_per_gpu_hour, over an average month.
  exec->set_bound(plan.gpu_hours_per_month * world_.scenario.market.flops_per_gpu_hour / kSecondsPerAverageMonth);
  exec->start();
  world_.hold_gpu_hours(startup_, v, plan.gpu_hours_per_month, plan.spend);
  board_.start(startup_, exec, v, plan.flops, sg4::Engine::get_clock());
}

void StartupActor::operator()() {
  if (world_.gpu_product()) start_run();
  const double horizon = world_.month_start(world_.months());
  for (int m = 0; m <= world_.months(); ++m) {
    // Month checks, then a last stretch of training up to the end of the run.
    const double check = m < world_.months() ? world_.month_start(m) + kStartupReviewDelaySeconds : horizon;
    // Train until the check; a run that finishes starts the next one.
    while (true) {
      const sg4::ExecPtr exec = board_.running(startup_);  // a copy: finish() clears the board's
      const double now = sg4::Engine::get_clock();
      if (!exec || now >= check) break;
      try {
        exec->wait_for(check - now);
        world_.finish_training_run(board_.finish(startup_, sg4::Engine::get_clock()));
        start_run();
      } catch (const simgrid::TimeoutException&) {
        break;
      } catch (const simgrid::CancelException&) {  // the clerk stopped it: the startup failed
        break;
      }
    }
    if (sg4::Engine::get_clock() < check) sg4::this_actor::sleep_until(check);
    if (m == world_.months()) break;
    if (!world_.startups.alive(startup_)) {
      board_.cancel(startup_);  // the clerk released its cluster when it failed
      return;
    }
    if (!board_.running(startup_) && world_.gpu_product()) start_run();  // e.g. its vendor had left
    if (world_.startups.runway_months(startup_) < world_.scenario.startups[startup_].runway_months) raise_round();
  }
  // Stay until the clerk has billed the last month: an actor's executions end with it.
  sg4::this_actor::sleep_until(horizon + kStartupReviewDelaySeconds);
  board_.cancel(startup_);
}

void StartupActor::raise_round() {
  const Scenario& sc = world_.scenario;
  const Startup& me = sc.startups[startup_];
  auto* inbox = sg4::Mailbox::by_name(startup_mailbox(sc, startup_));
  std::vector<InvestorRef> asked;
  for (const auto& who : investors_of(sc)) {
    const bool owner = who.is_vendor && me.owner == who.index;
    if (me.owner && !owner) continue;  // an in-house lab raises only from its owner
    if (who.is_vendor && !world_.active(who.index)) continue;
    auto message = std::make_unique<InvestorMessage>();
    RoundRequest request = world_.round_request(startup_);
    request.owned_by_investor = owner;
    const auto partner = world_.startups.partner(startup_);
    request.partnered_elsewhere = partner && (!who.is_vendor || *partner != who.index);
    message->request = request;
    message->reply_to = inbox->get_name();
    sg4::Mailbox::by_name(investor_mailbox(sc, who))->put_init(message.release(), 0)->detach();
    asked.push_back(who);
  }
  // One term sheet (or a decline) from each; the order of arrival does not matter: the choice
  // goes by value, ties to the earlier investor in the scenario.
  std::vector<TermSheet> sheets;
  for (std::size_t k = 0; k < asked.size(); ++k) {
    std::unique_ptr<TermSheet> sheet(inbox->get<TermSheet>());
    sheets.push_back(*sheet);
  }
  auto order = [&](const TermSheet& s) {
    return std::find(asked.begin(), asked.end(), s.investor) - asked.begin();
  };
  std::sort(sheets.begin(), sheets.end(), [&](const TermSheet& a, const TermSheet& b) { return order(a) < order(b); });
  const TermSheet* best = nullptr;
  const std::size_t trains_on = world_.startups.trains_on(startup_);
  for (const auto& s : sheets)
    if (s.offered && (!best || startup_value(s, trains_on) > startup_value(*best, trains_on))) best = &s;
  for (const auto& s : sheets) {
    if (!s.offered) continue;
    auto decision = std::make_unique<InvestorMessage>();
    decision->accepted = (&s == best);
    decision->startup = startup_;
    sg4::Mailbox::by_name(investor_mailbox(sc, s.investor))->put_init(decision.release(), 0)->detach();
  }
  if (best) world_.sign_deal({sg4::Engine::get_clock(), startup_, *best});
}

void InvestorActor::operator()() {
  sg4::Actor::self()->daemonize();  // answers rounds for as long as the run lasts
  const Scenario& sc = world_.scenario;
  auto* inbox = sg4::Mailbox::by_name(investor_mailbox(sc, who_));
  std::map<std::size_t, double> reserved;  // per startup with an open term sheet
  auto total_reserved = [&] {
    double sum = 0;
    for (const auto& [startup, amount] : reserved) sum += amount;
    return sum;
  };
  while (true) {
    std::unique_ptr<InvestorMessage> message(inbox->get<InvestorMessage>());
    if (message->accepted) {  // the startup decided; a signed deal is already in the world's books
      reserved.erase(message->startup);
      continue;
    }
    const RoundRequest& request = *message->request;
    const InvestmentPolicy policy =
        who_.is_vendor ? sc.vendors[who_.index].investment.value_or(InvestmentPolicy{}) : sc.investors[who_.index].policy;
    const AiStrategy strategy = who_.is_vendor ? sc.vendors[who_.index].ai_strategy : AiStrategy::none;
    // A partner already, or (for a `vertical` vendor, which backs one flagship) an open term sheet
    // to another startup: rounds that arrive at the same instant do not both get an offer.
    const bool courting_another =
        strategy == AiStrategy::vertical &&
        std::any_of(reserved.begin(), reserved.end(), [&](const auto& open) { return open.first != request.startup; });
    const bool other_partner =
        who_.is_vendor && (world_.startups.has_partner_other_than(who_.index, request.startup) || courting_another);
    // A vendor that invests only as the owner of an in-house lab funds that lab alone.
    const bool lab_owner_only = who_.is_vendor && !sc.vendors[who_.index].investment && !request.owned_by_investor;
    auto sheet = std::make_unique<TermSheet>();
    sheet->investor = who_;
    if (!lab_owner_only)
      *sheet = offer_terms(who_, policy, strategy, request,
                           world_.investor_budget_left(who_, sg4::Engine::get_clock()) - total_reserved(), other_partner,
                           world_.investor_view(who_, sg4::Engine::get_clock()));
    if (sheet->offered) reserved[request.startup] = sheet->amount;
    sg4::Mailbox::by_name(message->reply_to)->put_init(sheet.release(), 0)->detach();
  }
}

}  // namespace cm
