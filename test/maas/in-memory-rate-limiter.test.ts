import { createInMemoryRateLimiter } from "../../src/maas/index.js";
import { runRateLimiterContract } from "./rate-limiter-contract.js";

runRateLimiterContract("in memory (one instance)", { open: () => ({ limiter: createInMemoryRateLimiter() }), shared: false });
