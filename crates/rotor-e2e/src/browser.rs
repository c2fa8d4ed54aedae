//! A real browser for the console's tests: Debian's headless `chromium`, driven through its
//! WebDriver server `chromedriver` (W3C WebDriver over HTTP and JSON; a client of a dozen
//! calls, no library).
//!
//! [`Browser::start`] runs `chromedriver` on a free port (a guarded process: it dies with the
//! test), opens a session with headless Chromium and a fixed window size, and offers what the
//! tests need: open a URL, find and click elements, pick an option, read text, run a line of
//! script, wait (bounded) for a condition, save a screenshot. A missing browser fails the test
//! saying what to install (`scripts/bootstrap-browser.sh`, which `make test` runs).
//! `ROTOR_CHROMIUM` and `ROTOR_CHROMEDRIVER` name other binaries.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, bail};
use base64::Engine as _;
use rotor_harness::ScratchDir;
use rotor_stack::process::GuardedProcess;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The key under which WebDriver names an element.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// What to do when the browser is missing.
pub const INSTALL_HINT: &str = "the console's browser tests need Debian's `chromium` and `chromium-driver`: run scripts/bootstrap-browser.sh (make test does; it installs them with apt-get as root), or `sudo apt-get install chromium chromium-driver`, or set ROTOR_CHROMIUM and ROTOR_CHROMEDRIVER";

/// A headless Chromium under `chromedriver`, with one session.
#[derive(Debug)]
pub struct Browser {
    port: u16,
    session: String,
    driver: GuardedProcess,
    _dir: ScratchDir,
}

/// An element of the page, as WebDriver names it.
#[derive(Clone, Debug)]
pub struct Element(String);

fn binary(variable: &str, name: &str) -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Ok(PathBuf::from(path));
    }
    rotor_stack::binaries::find_on_path(name)
        .with_context(|| format!("{name} is not on PATH: {INSTALL_HINT}"))
}

impl Browser {
    /// Starts `chromedriver` and a headless Chromium session (1280 x 1000).
    pub async fn start() -> anyhow::Result<Browser> {
        let chromium = binary("ROTOR_CHROMIUM", "chromium")?;
        let chromedriver = binary("ROTOR_CHROMEDRIVER", "chromedriver")?;
        let dir = ScratchDir::new("browser");
        let port = rotor_harness::free_port();
        let log = dir.path().join("chromedriver.log");
        let driver = GuardedProcess::spawn_watched(
            "chromedriver",
            &chromedriver,
            &[format!("--port={port}")],
            log.clone(),
            &[],
        );
        let mut browser = Browser {
            port,
            session: String::new(),
            driver,
            _dir: dir,
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(status) = browser.call("GET", "/status", None).await
                && status["value"]["ready"] == true
            {
                break;
            }
            if !browser.driver.is_running() || tokio::time::Instant::now() > deadline {
                bail!(
                    "chromedriver did not start: {}",
                    rotor_stack::process::log_tail(&log, 20)
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = browser._dir.path().join("profile");
        let downloads = browser.downloads();
        std::fs::create_dir_all(&downloads)?;
        let capabilities = json!({
            "capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": chromium,
                    "args": [
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--no-first-run",
                        "--hide-scrollbars",
                        "--window-size=1280,1000",
                        format!("--user-data-dir={}", profile.display()),
                    ],
                    "prefs": {
                        "download.default_directory": downloads,
                        "download.prompt_for_download": false,
                    },
                },
            }}
        });
        let session = browser
            .call("POST", "/session", Some(capabilities))
            .await
            .context("starting a Chromium session")?;
        browser.session = session["value"]["sessionId"]
            .as_str()
            .with_context(|| format!("no session id in {session}"))?
            .to_string();
        Ok(browser)
    }

    /// One WebDriver call; a WebDriver error (`value.error`) is an error.
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await?;
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        );
        stream.write_all(request.as_bytes()).await?;
        let body = tokio::time::timeout(Duration::from_secs(60), read_answer(&mut stream))
            .await
            .with_context(|| format!("chromedriver did not answer {method} {path}"))?
            .with_context(|| format!("reading the answer to {method} {path}"))?;
        let value: Value = serde_json::from_slice(&body).with_context(|| {
            format!(
                "{method} {path}: not JSON: {:.200}",
                String::from_utf8_lossy(&body)
            )
        })?;
        if let Some(error) = value["value"]["error"].as_str() {
            bail!(
                "{method} {path}: {error}: {}",
                value["value"]["message"].as_str().unwrap_or_default()
            );
        }
        Ok(value)
    }

    async fn session_call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        self.call(method, &format!("/session/{}{path}", self.session), body)
            .await
    }

    /// Opens `url`.
    pub async fn open(&self, url: &str) -> anyhow::Result<()> {
        self.session_call("POST", "/url", Some(json!({"url": url})))
            .await?;
        Ok(())
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page and returns its value.
    pub async fn script(&self, script: &str, args: Vec<Value>) -> anyhow::Result<Value> {
        let value = self
            .session_call(
                "POST",
                "/execute/sync",
                Some(json!({"script": script, "args": args})),
            )
            .await?;
        Ok(value["value"].clone())
    }

    /// The first element matching a CSS selector, if any.
    pub async fn find(&self, selector: &str) -> anyhow::Result<Option<Element>> {
        let found = self
            .session_call(
                "POST",
                "/elements",
                Some(json!({"using": "css selector", "value": selector})),
            )
            .await?;
        Ok(found["value"]
            .as_array()
            .and_then(|all| all.first())
            .and_then(|first| first[ELEMENT].as_str())
            .map(|id| Element(id.to_string())))
    }

    /// Waits (bounded) for an element matching `selector`.
    pub async fn wait_for(&self, selector: &str, within: Duration) -> anyhow::Result<Element> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(element) = self.find(selector).await? {
                return Ok(element);
            }
            if tokio::time::Instant::now() > deadline {
                bail!(
                    "no {selector:?} on the page within {within:?}; the page says: {}",
                    self.text("body").await.unwrap_or_default()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks an element as a user would (WebDriver scrolls it into view first).
    pub async fn click(&self, element: &Element) -> anyhow::Result<()> {
        self.session_call(
            "POST",
            &format!("/element/{}/click", element.0),
            Some(json!({})),
        )
        .await?;
        Ok(())
    }

    /// Waits for `selector`, then clicks it.
    pub async fn click_on(&self, selector: &str) -> anyhow::Result<()> {
        let element = self.wait_for(selector, Duration::from_secs(20)).await?;
        self.click(&element).await
    }

    /// The visible text of the first element matching `selector` (empty when there is none).
    pub async fn text(&self, selector: &str) -> anyhow::Result<String> {
        let value = self
            .script(
                "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';",
                vec![json!(selector)],
            )
            .await?;
        Ok(value.as_str().unwrap_or_default().to_string())
    }

    /// Waits (bounded) until the text of `selector` satisfies `done`; returns that text.
    pub async fn wait_for_text(
        &self,
        selector: &str,
        within: Duration,
        mut done: impl FnMut(&str) -> bool,
    ) -> anyhow::Result<String> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let text = self.text(selector).await?;
            if done(&text) {
                return Ok(text);
            }
            if tokio::time::Instant::now() > deadline {
                bail!(
                    "{selector:?} did not get the expected text within {within:?}: it says {text:?}; the page says: {}",
                    self.text("body").await.unwrap_or_default()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types `text` into an element.
    pub async fn type_into(&self, element: &Element, text: &str) -> anyhow::Result<()> {
        self.session_call(
            "POST",
            &format!("/element/{}/value", element.0),
            Some(json!({"text": text})),
        )
        .await?;
        Ok(())
    }

    /// Where the browser saves downloads.
    pub fn downloads(&self) -> PathBuf {
        self._dir.path().join("downloads")
    }

    /// Waits (bounded) for a finished download whose file name ends with `suffix`; returns its
    /// contents.
    pub async fn downloaded(&self, suffix: &str, within: Duration) -> anyhow::Result<String> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let found = std::fs::read_dir(self.downloads())?
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .find(|path| path.to_string_lossy().ends_with(suffix));
            if let Some(path) = found {
                return Ok(std::fs::read_to_string(path)?);
            }
            if tokio::time::Instant::now() > deadline {
                bail!("no download ending in {suffix:?} within {within:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a PNG screenshot of the window to `path`.
    pub async fn screenshot(&self, path: &Path) -> anyhow::Result<()> {
        let value = self.session_call("GET", "/screenshot", None).await?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(value["value"].as_str().unwrap_or_default())
            .context("the screenshot is not base64")?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))
    }

    /// Ends the session (and so the browser), then chromedriver.
    pub async fn close(self) {
        let _ = self
            .call("DELETE", &format!("/session/{}", self.session), None)
            .await;
        // Dropping stops chromedriver and whatever is left of this browser.
    }

    /// The browser's processes: those started with this session's profile folder.
    fn browser_processes(&self) -> Vec<String> {
        let profile = format!(
            "--user-data-dir={}",
            self._dir.path().join("profile").display()
        );
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let pid = entry.file_name().to_string_lossy().into_owned();
                pid.chars().all(|c| c.is_ascii_digit()).then_some(pid)
            })
            .filter(|pid| {
                std::fs::read(format!("/proc/{pid}/cmdline"))
                    .map(|cmdline| {
                        cmdline
                            .split(|b| *b == 0)
                            .any(|arg| arg == profile.as_bytes())
                    })
                    .unwrap_or(false)
            })
            .collect()
    }
}

impl Drop for Browser {
    /// Stops chromedriver, then every process of this browser it may have left behind (a
    /// failed test's chromedriver does not always take Chromium with it).
    fn drop(&mut self) {
        self.driver.stop();
        let left = self.browser_processes();
        if !left.is_empty() {
            let _ = std::process::Command::new("kill").args(&left).status();
        }
    }
}

/// The body of one HTTP/1.1 answer: by its `Content-Length`, chunked, or up to the end of the
/// connection (chromedriver keeps connections open, so the length decides).
async fn read_answer(stream: &mut tokio::net::TcpStream) -> anyhow::Result<Vec<u8>> {
    let mut response = Vec::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let header_end = loop {
        if let Some(end) = response.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let read = stream.read(&mut buffer).await?;
        if read == 0 {
            bail!("the connection closed before the headers ended");
        }
        response.extend_from_slice(&buffer[..read]);
    };
    let head = String::from_utf8_lossy(&response[..header_end]).to_ascii_lowercase();
    let mut body = response.split_off(header_end + 4);
    let length = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse::<usize>().ok());
    let chunked = head.contains("transfer-encoding: chunked");
    loop {
        let complete = match length {
            Some(length) => body.len() >= length,
            None if chunked => body.windows(5).any(|w| w == b"0\r\n\r\n"),
            None => false,
        };
        if complete {
            break;
        }
        let read = stream.read(&mut buffer).await?;
        if read == 0 {
            break;
        }
        body.extend_from_slice(&buffer[..read]);
    }
    if let Some(length) = length {
        body.truncate(length);
        return Ok(body);
    }
    Ok(if chunked { dechunk(&body) } else { body })
}

/// The body of a chunked HTTP/1.1 answer.
fn dechunk(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(line_end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&rest[..line_end]);
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        let chunk = &rest[line_end + 2..];
        if size == 0 || chunk.len() < size {
            break;
        }
        out.extend_from_slice(&chunk[..size]);
        rest = chunk[size..]
            .strip_prefix(b"\r\n")
            .unwrap_or(&chunk[size..]);
    }
    out
}
