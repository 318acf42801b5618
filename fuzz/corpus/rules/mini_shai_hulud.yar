/*
 * Mini Shai-Hulud (2026, attributed to TeamPCP): the April SAP wave
 * ("preinstall": "node setup.mjs" fetching Bun 1.3.13 to run execution.js)
 * and the May TanStack wave (a pull_request_target workflow, a poisoned
 * Actions cache, packages carrying a git optionalDependencies pin whose
 * prepare runs "bun run tanstack_runner.js", router_init.js at the tarball
 * root, a gh-token-monitor dead-man's switch that wipes ~/ when its token is
 * revoked). Markers from GHSA-g7cv-rxg3-hmpx, TanStack's postmortem, Wiz and
 * the mini-shai-hulud-dragnet IOC set (see feeds/SOURCES.md).
 */

rule mini_shai_hulud_deadman_switch
{
	meta:
		description = "Mini Shai-Hulud dead-man's switch gh-token-monitor: wipes the home directory when its GitHub token is revoked (remove it before revoking tokens)"
		severity = "critical"
		family = "mini-shai-hulud"
		reference = "https://github.com/advisories/GHSA-g7cv-rxg3-hmpx"
	strings:
		$svc = "gh-token-monitor"
		$marker = "IfYouRevokeThisTokenItWillWipeTheComputerOfTheOwner"
	condition:
		any of them
}

rule mini_shai_hulud_tanstack_git_pin
{
	meta:
		description = "Mini Shai-Hulud (TanStack) fingerprint: optional dependency @tanstack/setup pinned to the payload commit 79ac49ee of a tanstack/router fork"
		severity = "critical"
		family = "mini-shai-hulud"
		reference = "https://github.com/advisories/GHSA-g7cv-rxg3-hmpx"
	strings:
		$commit = "79ac49eedf774dd4b0cfa308722bc463cfe5885c"
		$setup = "\"@tanstack/setup\""
		$git = /github:tanstack\/router#[0-9a-f]{7,40}/ nocase
	condition:
		$commit or ($setup and $git)
}

rule mini_shai_hulud_tanstack_runner
{
	meta:
		description = "Mini Shai-Hulud (TanStack) payload launcher: a prepare script running \"bun run tanstack_runner.js\", or the router_init.js / tanstack_runner.js pair"
		severity = "critical"
		family = "mini-shai-hulud"
		reference = "https://tanstack.com/blog/npm-supply-chain-compromise-postmortem"
	strings:
		$run = /bun\s+run\s+tanstack_runner\.js/
		$runner = "tanstack_runner.js"
		$init = "router_init.js"
		$runtime = "router_runtime.js"
	condition:
		$run or ($runner and ($init or $runtime))
}

rule mini_shai_hulud_network
{
	meta:
		description = "Mini Shai-Hulud command-and-control or second-stage host (git-tanstack.com, api.masscan.cloud, litter.catbox.moe payloads, audit.checkmarx.cx)"
		severity = "critical"
		family = "mini-shai-hulud"
		reference = "https://github.com/advisories/GHSA-g7cv-rxg3-hmpx"
	strings:
		$c2_1 = "git-tanstack.com" nocase
		$c2_2 = "api.masscan.cloud" nocase
		$c2_3 = "litter.catbox.moe/h8nc9u.js" nocase
		$c2_4 = "litter.catbox.moe/7rrc6l.mjs" nocase
		$c2_5 = "audit.checkmarx.cx" nocase
		$ip_1 = "83.142.209.194"
		$ip_2 = "94.154.172.43"
	condition:
		any of them
}

rule mini_shai_hulud_session_exfil
{
	meta:
		description = "Mini Shai-Hulud exfiltration over the Session network (getsession.org seed and file servers) from code that harvests npm or GitHub tokens"
		severity = "high"
		family = "mini-shai-hulud"
		reference = "https://tanstack.com/blog/npm-supply-chain-compromise-postmortem"
	strings:
		$s1 = "filev2.getsession.org" nocase
		$s2 = "seed1.getsession.org" nocase
		$s3 = "seed2.getsession.org" nocase
		$s4 = "seed3.getsession.org" nocase
		$t1 = "GITHUB_TOKEN"
		$t2 = "NPM_TOKEN"
		$t3 = ".npmrc"
		$t4 = "gh[op]_"
		$t5 = "npm_[A-Za-z0-9]"
		$t6 = "_authToken"
	condition:
		1 of ($s*) and 1 of ($t*)
}

rule mini_shai_hulud_repo_descriptions
{
	meta:
		description = "Mini Shai-Hulud dead-drop repository description (\"A Mini Shai-Hulud has Appeared\", \"Shai-Hulud: Here We Go Again\", \"PUSH UR T3MPRR\")"
		severity = "critical"
		family = "mini-shai-hulud"
		reference = "https://github.com/copyleftdev/mini-shai-hulud-dragnet"
	strings:
		$d1 = "A Mini Shai-Hulud has Appeared"
		$d2 = "Shai-Hulud: Here We Go Again"
		$d3 = "PUSH UR T3MPRR"
	condition:
		any of them
}

rule mini_shai_hulud_campaign_constants
{
	meta:
		description = "Mini Shai-Hulud campaign constants: PBKDF2 keys and salts, commit markers, the Session recipient id, the poisoned Actions cache key"
		severity = "critical"
		family = "mini-shai-hulud"
		reference = "https://github.com/copyleftdev/mini-shai-hulud-dragnet"
	strings:
		$key1 = "0c0e873033875f1bc471eda37e3b9d0f9b89bd41a4bbb4f86746caa2176c40aa" nocase
		$key2 = "5012caa5847ae9261dfa16f91417042f367d6bed149c3b8af7a50b203a093007" nocase
		$salt1 = "svksjrhjkcejg"
		$salt2 = "ctf-scramble-v2"
		$mark1 = "beautifulcastle"
		$mark2 = "LongLiveTheResistanceAgainstMachines"
		$mark3 = "Exiting as russian language detected!"
		$session = "05f9e609d79eed391015e11380dee4b5c9ead0b6e2e7f0134e6e51767a87323026" nocase
		$cache = "6f9233a50def742c09fde54f56553d6b449a535adf87d4083690539f49ae4da11" nocase
		$oidc = "db7d6f54-05d5-412b-8a10-e7a8398b303e" nocase
	condition:
		any of them
}

rule mini_shai_hulud_bun_loader
{
	meta:
		description = "Mini Shai-Hulud loader (setup.mjs): downloads Bun 1.3.13 to run the obfuscated payload (execution.js, router_runtime.js)"
		severity = "high"
		family = "mini-shai-hulud"
		reference = "https://github.com/copyleftdev/mini-shai-hulud-dragnet"
	strings:
		$bun = "bun-v1.3.13"
		$p1 = "execution.js"
		$p2 = "router_runtime.js"
		$p3 = "router_init.js"
		$p4 = "tanstack_runner.js"
		$p5 = "__DAEMONIZED"
	condition:
		$bun and 1 of ($p*)
}

rule mini_shai_hulud_ide_persistence
{
	meta:
		description = "Mini Shai-Hulud persistence that survives npm uninstall: a Claude Code SessionStart hook or a VS Code folderOpen task that reruns the payload"
		severity = "high"
		family = "mini-shai-hulud"
		reference = "https://github.com/copyleftdev/mini-shai-hulud-dragnet"
	strings:
		$claude = ".claude/settings.json"
		$session = "SessionStart"
		$vscode = ".vscode/tasks.json"
		$folder = "folderOpen"
		$p1 = "setup.mjs"
		$p2 = "execution.js"
		$p3 = "router_runtime.js"
	condition:
		(($claude and $session) or ($vscode and $folder)) and 1 of ($p*)
}

rule mini_shai_hulud_dune_repo_names
{
	meta:
		description = "Mini Shai-Hulud dead-drop repository names generated from Dune word lists (sardaukar-sandworm-123)"
		severity = "high"
		family = "mini-shai-hulud"
		reference = "https://github.com/copyleftdev/mini-shai-hulud-dragnet"
	strings:
		$a1 = "sardaukar" fullword
		$a2 = "mentat" fullword
		$a3 = "fremen" fullword
		$a4 = "atreides" fullword
		$a5 = "harkonnen" fullword
		$a6 = "gesserit" fullword
		$a7 = "prescient" fullword
		$a8 = "tleilaxu" fullword
		$a9 = "siridar" fullword
		$a10 = "kanly" fullword
		$a11 = "sayyadina" fullword
		$a12 = "powindah" fullword
		$a13 = "kralizec" fullword
		$b1 = "sandworm" fullword
		$b2 = "ornithopter" fullword
		$b3 = "heighliner" fullword
		$b4 = "stillsuit" fullword
		$b5 = "lasgun" fullword
		$b6 = "sietch" fullword
		$b7 = "melange" fullword
		$b8 = "thumper" fullword
		$b9 = "cogitor" fullword
		$b10 = "phibian" fullword
		$b11 = "futar" fullword
		$name = /(sardaukar|mentat|fremen|atreides|harkonnen|gesserit|prescient|fedaykin|tleilaxu|siridar|kanly|sayyadina|ghola|powindah|prana|kralizec)-(sandworm|ornithopter|heighliner|stillsuit|lasgun|sietch|melange|thumper|navigator|fedaykin|futar|slig|phibian|laza|cogitor|ghola)-[0-9]{1,3}\b/
	condition:
		(6 of ($a*) and 6 of ($b*)) or $name
}

rule mini_shai_hulud_workflow_injection
{
	meta:
		description = "Mini Shai-Hulud workflow injection: format-check.yml pushed on the look-alike branch dependabout/github_actions/format/setup-formatter"
		severity = "critical"
		family = "mini-shai-hulud"
		reference = "https://github.com/copyleftdev/mini-shai-hulud-dragnet"
	strings:
		$branch = "dependabout/github_actions/format/setup-formatter"
	condition:
		$branch
}

rule mini_shai_hulud_pwn_request_workflow
{
	meta:
		description = "GitHub workflow triggered by pull_request_target that checks out the pull request's own code: the entry point Mini Shai-Hulud used to poison TanStack's Actions cache"
		severity = "medium"
		family = "mini-shai-hulud"
		reference = "https://tanstack.com/blog/npm-supply-chain-compromise-postmortem"
	strings:
		$trigger = "pull_request_target"
		$head1 = "github.event.pull_request.head.sha"
		$head2 = "github.event.pull_request.head.ref"
		$head3 = "github.event.pull_request.head.repo.full_name"
		$head4 = "github.head_ref"
		$merge = /refs\/pull\/\$\{\{ *github\.event\.(pull_request\.)?number *\}\}\/(merge|head)/
	condition:
		$trigger and 1 of ($head*, $merge)
}
