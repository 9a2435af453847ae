// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {ISolvencyRegistry} from "./interfaces/ISolvencyRegistry.sol";
import {IEpochOracle} from "./interfaces/IEpochOracle.sol";

/// @title SolvencyGatedCredit: a credit line gated by private solvency and credit proofs.
/// @notice An account borrows `debtToken` up to the credit it proved to the registry
/// (`creditOf`), while `isSolvent` holds and the price breaker is not tripped. Its
/// collateral stays off-chain and private (attested); what the market holds is a bond the
/// borrower posted in `debtToken`. Once the account's solvency has lapsed for
/// `liquidationGrace` seconds (the lapse is noticed on-chain by anyone with
/// `noticeLapse`), anyone may `liquidate` it: the liquidator is paid up to
/// `liquidatorReward` from the bond, the rest of the bond repays the debt, and whatever it
/// does not cover is recorded as bad debt. No interest accrues. `noticeLapse` and
/// `liquidate` are refused while tripped; a borrower that re-proves clears a notice with
/// `noticeLapse(self)` (borrowing clears it too). The grace counts from the notice or from
/// the end of the oracle's last trip (`oracle.clearedAt()`), whichever is later: no proof
/// is accepted while tripped, so a borrower whose lapse was noticed before a trip gets
/// the whole grace after the reset (or unpause) to re-prove.
///
/// Units: `creditOf` is in the credit circuit's value unit, 10^-(8 + D) USD where D is the
/// largest token decimals of the registry's assets. `amount` base units of `debtToken`
/// are worth `amount * price * valueScale` of it, with `price` the epoch's 8-decimal debt
/// price (rounded up by the oracle) and `valueScale` = 10^(D - debtToken decimals):
/// exact, so no rounding favours the borrower.
///
/// Invariant (to the wei): totalBadDebt + totalRepaid + totalOutstanding == totalBorrowed,
/// where totalRepaid counts repayments and the bond recovered by liquidations.
/// @dev `debtToken` must be a plain ERC-20 (no fee on transfer, no rebasing).
contract SolvencyGatedCredit is ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Where solvency, credit and the breaker are read.
    ISolvencyRegistry public immutable registry;
    /// @notice The registry's oracle: the epoch price of the debt asset.
    IEpochOracle public immutable oracle;
    /// @notice The token lent, repaid and posted as bond.
    IERC20 public immutable debtToken;
    /// @notice Index of the debt asset in the oracle's snapshot prices.
    uint256 public immutable priceIndex;
    /// @notice 10^(D - debtToken decimals): token base units x price -> value units.
    uint256 public immutable valueScale;
    /// @notice Bond an account must hold while it borrows.
    uint256 public immutable minBond;
    /// @notice Most of the bond a liquidator is paid.
    uint256 public immutable liquidatorReward;
    /// @notice Seconds a noticed lapse must last, outside any trip of the breaker, before
    /// the account can be liquidated.
    uint64 public immutable liquidationGrace;
    /// @notice May withdraw idle liquidity (the deployer).
    address public immutable lender;

    mapping(address account => uint256) public debtOf;
    mapping(address account => uint256) public bondOf;
    /// @notice When the account's lapse of solvency was noticed (0: not noticed).
    mapping(address account => uint64) public lapsedSince;
    uint256 public totalBorrowed;
    uint256 public totalRepaid;
    uint256 public totalBadDebt;
    uint256 public totalOutstanding;
    uint256 public totalBonds;

    // ---- errors (expected value first, then the actual one) -----------------------------
    error ZeroAddress();
    error ZeroAmount();
    error BadConfig(uint256 field);
    error Tripped();
    error NotSolvent(address account);
    error StillSolvent(address account);
    error BondTooSmall(uint256 required, uint256 bond);
    error BondLocked(uint256 required, uint256 remaining);
    error CreditExceeded(uint256 credit, uint256 required);
    error PriceUnavailable(uint64 epoch, uint64 validUntil, uint256 now_);
    error InsufficientLiquidity(uint256 available, uint256 requested);
    error RepayTooLarge(uint256 outstanding, uint256 amount);
    error NoDebt(address account);
    error LapseNotNoticed(address account);
    error GraceNotOver(uint256 liquidatableAt, uint256 now_);
    error NotLender(address lender, address caller);

    // ---- events -------------------------------------------------------------------------
    event BondPosted(address indexed account, uint256 amount, uint256 bond);
    event BondWithdrawn(address indexed account, uint256 amount, uint256 bond);
    event Borrowed(address indexed account, uint256 amount, uint256 debt, uint256 creditUsed,
                   uint256 credit);
    event Repaid(address indexed account, address indexed payer, uint256 amount, uint256 debt);
    event LapseNoticed(address indexed account, uint64 since);
    event LapseCleared(address indexed account);
    event Liquidated(address indexed account, address indexed liquidator, uint256 debt,
                     uint256 reward, uint256 recovered, uint256 badDebt);
    event LiquiditySupplied(address indexed from, uint256 amount);
    event LiquidityWithdrawn(address indexed to, uint256 amount);

    /// @param debtSlot the debt asset's position among the oracle's debt assets.
    constructor(ISolvencyRegistry registry_, IEpochOracle oracle_, IERC20 debtToken_,
                uint256 debtSlot, uint256 valueScale_, uint256 minBond_,
                uint256 liquidatorReward_, uint64 liquidationGrace_) {
        if (address(registry_) == address(0) || address(oracle_) == address(0)
            || address(debtToken_) == address(0)) revert ZeroAddress();
        if (debtSlot >= oracle_.nDebt()) revert BadConfig(3);
        if (valueScale_ == 0) revert BadConfig(4);
        if (minBond_ == 0) revert BadConfig(5);
        if (liquidatorReward_ > minBond_) revert BadConfig(6);
        registry = registry_;
        oracle = oracle_;
        debtToken = debtToken_;
        priceIndex = oracle_.nCollateral() + debtSlot;
        valueScale = valueScale_;
        minBond = minBond_;
        liquidatorReward = liquidatorReward_;
        liquidationGrace = liquidationGrace_;
        lender = msg.sender;
    }

    // ---- liquidity ----------------------------------------------------------------------

    /// @notice Add `amount` of debtToken to lend out (anyone; only the lender withdraws).
    function supply(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        debtToken.safeTransferFrom(msg.sender, address(this), amount);
        emit LiquiditySupplied(msg.sender, amount);
    }

    /// @notice Lender: withdraw idle liquidity (never the borrowers' bonds).
    function withdrawLiquidity(address to, uint256 amount) external nonReentrant {
        if (msg.sender != lender) revert NotLender(lender, msg.sender);
        uint256 idle = available();
        if (amount > idle) revert InsufficientLiquidity(idle, amount);
        debtToken.safeTransfer(to, amount);
        emit LiquidityWithdrawn(to, amount);
    }

    // ---- bonds --------------------------------------------------------------------------

    /// @notice Post `amount` of debtToken as msg.sender's bond.
    function postBond(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        debtToken.safeTransferFrom(msg.sender, address(this), amount);
        uint256 bond = bondOf[msg.sender] + amount;
        bondOf[msg.sender] = bond;
        totalBonds += amount;
        emit BondPosted(msg.sender, amount, bond);
    }

    /// @notice Withdraw bond; while msg.sender owes, at least `minBond` stays.
    function withdrawBond(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 bond = bondOf[msg.sender];
        if (amount > bond) revert BondTooSmall(amount, bond);
        uint256 remaining = bond - amount;
        if (debtOf[msg.sender] != 0 && remaining < minBond) revert BondLocked(minBond, remaining);
        bondOf[msg.sender] = remaining;
        totalBonds -= amount;
        debtToken.safeTransfer(msg.sender, amount);
        emit BondWithdrawn(msg.sender, amount, remaining);
    }

    // ---- borrowing ----------------------------------------------------------------------

    /// @notice Borrow `amount`: needs a fresh solvency proof, an untripped breaker, the
    /// bond, and credit covering the whole debt after the borrow at the epoch's price.
    function borrow(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        ISolvencyRegistry reg = registry;
        if (reg.tripped()) revert Tripped();
        if (!reg.isSolvent(msg.sender)) revert NotSolvent(msg.sender);
        uint256 bond = bondOf[msg.sender];
        if (bond < minBond) revert BondTooSmall(minBond, bond);
        uint256 debt = debtOf[msg.sender] + amount;
        uint256 required = debt * debtPrice() * valueScale;
        uint256 credit = reg.creditOf(msg.sender);
        if (required > credit) revert CreditExceeded(credit, required);
        uint256 idle = available();
        if (amount > idle) revert InsufficientLiquidity(idle, amount);
        _clearLapse(msg.sender);
        debtOf[msg.sender] = debt;
        totalBorrowed += amount;
        totalOutstanding += amount;
        debtToken.safeTransfer(msg.sender, amount);
        emit Borrowed(msg.sender, amount, debt, required, credit);
    }

    /// @notice Repay `amount` of `account`'s debt from msg.sender (allowed while tripped).
    function repay(address account, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 debt = debtOf[account];
        if (amount > debt) revert RepayTooLarge(debt, amount);
        debtToken.safeTransferFrom(msg.sender, address(this), amount);
        debt -= amount;
        debtOf[account] = debt;
        totalRepaid += amount;
        totalOutstanding -= amount;
        emit Repaid(account, msg.sender, amount, debt);
    }

    // ---- lapse and liquidation ----------------------------------------------------------

    /// @notice Anyone: start `account`'s liquidation clock if it is not solvent, or clear
    /// it if it is solvent again. Refused while tripped, so that no clock runs on prices
    /// the breaker distrusts.
    function noticeLapse(address account) external {
        ISolvencyRegistry reg = registry;
        if (reg.tripped()) revert Tripped();
        if (reg.isSolvent(account)) {
            _clearLapse(account);
        } else if (lapsedSince[account] == 0) {
            if (debtOf[account] == 0) revert NoDebt(account);
            lapsedSince[account] = uint64(block.timestamp);
            emit LapseNoticed(account, uint64(block.timestamp));
        }
    }

    /// @notice Anyone, while `account` is still not solvent and the breaker is not tripped,
    /// once `liquidationGrace` seconds have passed since its lapse was noticed and since the
    /// oracle's last trip ended (`liquidatableAt`): close its debt against its bond.
    /// Pays the caller min(bond, liquidatorReward); the rest of the bond repays the debt
    /// (any excess stays as the account's bond); the uncovered debt becomes bad debt.
    function liquidate(address account) external nonReentrant {
        ISolvencyRegistry reg = registry;
        if (reg.tripped()) revert Tripped();
        if (reg.isSolvent(account)) revert StillSolvent(account);
        uint256 at = liquidatableAt(account);
        if (at == 0) revert LapseNotNoticed(account);
        if (block.timestamp < at) revert GraceNotOver(at, block.timestamp);
        uint256 debt = debtOf[account];
        if (debt == 0) revert NoDebt(account);
        uint256 bond = bondOf[account];
        uint256 reward = bond < liquidatorReward ? bond : liquidatorReward;
        uint256 rest = bond - reward;
        uint256 recovered = rest < debt ? rest : debt;
        uint256 bad = debt - recovered;
        debtOf[account] = 0;
        bondOf[account] = rest - recovered;
        lapsedSince[account] = 0;
        totalBonds -= reward + recovered;
        totalOutstanding -= debt;
        totalRepaid += recovered;
        totalBadDebt += bad;
        if (reward != 0) debtToken.safeTransfer(msg.sender, reward);
        emit Liquidated(account, msg.sender, debt, reward, recovered, bad);
    }

    // ---- views --------------------------------------------------------------------------

    /// @notice The debt asset's 8-decimal price in the registry's current epoch; reverts
    /// with PriceUnavailable if that snapshot is missing or expired.
    function debtPrice() public view returns (uint256) {
        uint64 epoch = registry.currentEpoch();
        (uint64 openedAt, uint64 validUntil, uint256[] memory prices,) = oracle.snapshot(epoch);
        if (openedAt == 0 || block.timestamp > validUntil || priceIndex >= prices.length) {
            revert PriceUnavailable(epoch, validUntil, block.timestamp);
        }
        return prices[priceIndex];
    }

    /// @notice When `account` becomes liquidatable if it stays not solvent: `liquidationGrace`
    /// after the later of its noticed lapse and the end of the oracle's last trip (0: no
    /// lapse noticed).
    function liquidatableAt(address account) public view returns (uint256) {
        uint256 since = lapsedSince[account];
        if (since == 0) return 0;
        uint256 cleared = oracle.clearedAt();
        return (since > cleared ? since : cleared) + liquidationGrace;
    }

    /// @notice Liquidity that can be lent or withdrawn (balance minus posted bonds).
    function available() public view returns (uint256) {
        return debtToken.balanceOf(address(this)) - totalBonds;
    }

    /// @notice Value units `account`'s debt uses of its credit at the current price.
    function creditUsed(address account) external view returns (uint256) {
        return debtOf[account] * debtPrice() * valueScale;
    }

    function _clearLapse(address account) internal {
        if (lapsedSince[account] != 0) {
            lapsedSince[account] = 0;
            emit LapseCleared(account);
        }
    }
}
