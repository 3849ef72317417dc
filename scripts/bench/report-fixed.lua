-- One fixed report body, prepared once by wrk: measures how much of the
-- intake benchmark is the load generator's own Lua work (BENCHMARKS.md).
-- Every request stores a new report; all fold into the same two subjects.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"category":"drugs","explanation":"This account sells methamphetamine (冰毒) in a private group; orders by WeChat.","locations":[{"kind":"url","value":"https://example.test/p/1"},{"kind":"handle","value":"@acct1"}],"platform":"ExampleNet","good_faith":true}'
